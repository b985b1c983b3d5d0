#!/bin/busybox sh
# A fixture "installer" in the Debian installer's image: fetches its preseed from url= on the kernel
# command line, writes it to the disk and powers off; msf.fixture= makes it ask or go silent instead.
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in $(cat /modules.order); do insmod "/$module"; done
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | head -n 1; }
mode=$(arg msf.fixture)
url=$(arg url)
hang() { while :; do sleep 3600; done; }

if [ "$mode" = check ]; then
  echo "msf-fixture: the disk holds: $(head -c 21 /dev/vda)"
  printf 'msf-fixture login: '
  hang
fi
echo "Detecting network hardware  ... 50%... 100%"
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo "Configuring the network with DHCP  ... 100%"
wget -q -O /tmp/preseed.cfg "$url" || echo "msf-fixture: cannot fetch $url"
echo "Checking the Debian archive mirror  ... 100%"
case "$mode" in
  silent)
    hang ;;
  question)
    echo "Download installer components"
    echo "-----------------------------"
    echo "Downloading a file failed:"
    echo "  1: Retry [*],  2: Change mirror,      3: Cancel,"
    printf "Prompt: '?' for help, default=1> "
    hang ;;
esac
echo "Installing the base system  ... 50%"
{ echo "MSF-FIXTURE-INSTALLED"; sha256sum /tmp/preseed.cfg; cat /tmp/preseed.cfg; } > /tmp/disk
dd if=/tmp/disk of=/dev/vda conv=fsync 2>/dev/null
sync
echo "Finishing the installation  ... 100%"
poweroff -f
