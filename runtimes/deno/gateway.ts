// deno run --unstable-net -A runtimes/deno/gateway.ts --config gateway.yaml   (see --help)
import { runGateway } from "../../ts/app/program.ts";
import { host } from "./host.ts";

host.exit(await runGateway(host));
