// bun runtimes/bun/tunnel.ts --config tunnel.yaml   (see --help)
import { runTunnel } from "../../ts/app/program.ts";
import { host } from "./host.ts";

host.exit(await runTunnel(host));
