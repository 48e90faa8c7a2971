// node dist/node/gateway.mjs --config gateway.yaml   (built from this file by `npm run build`; see --help)
import { runGateway } from "../../ts/app/program.ts";
import { host } from "./host.ts";

host.exit(await runGateway(host));
