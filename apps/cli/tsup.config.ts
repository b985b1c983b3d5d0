import { packageConfig } from "../../tsup.base.ts";

export default packageConfig({ entry: ["src/main.ts", "src/bin.ts"] });
