// node dist/node/tunnel.mjs --config tunnel.yaml   (built from this file by `npm run build`; see --help)
import { runTunnel } from "../../ts/app/program.ts";
import { host } from "./host.ts";

host.exit(await runTunnel(host));
