import { waitForSharedImage } from "@msf/test-utils";

// Before each VM test file: the global setup's Debian 12 image, built while the fast tests ran.
await waitForSharedImage();
