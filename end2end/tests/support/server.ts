// Starts the real `vitrine` binary (built by `cargo leptos build`) the way an operator would:
// its own data dir, a free loopback port, nothing mocked. Tests can stop and restart it.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "../../..");
const binary = process.env.VITRINE_BIN ?? path.join(repoRoot, "target/debug/vitrine");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export class VitrineServer {
  private child?: ChildProcess;
  private log = "";

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly env: Record<string, string>,
  ) {}

  /** Starts `vitrine serve` with a fresh data dir; `env` adds settings (e.g. VITRINE_UPLOAD_METHOD). */
  static async start(env: Record<string, string> = {}): Promise<VitrineServer> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vitrine-e2e-"));
    const server = new VitrineServer(dataDir, await freePort(), env);
    await server.spawn();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every object file in the embedded store (s3s-fs keeps one file per object). */
  storedObjects(): string[] {
    const root = path.join(this.dataDir, "store/objects/vitrine-media");
    const out: string[] = [];
    const walk = (dir: string) => {
      if (!fs.existsSync(dir)) return;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else out.push(path.relative(root, full));
      }
    };
    walk(root);
    return out;
  }

  private async spawn(): Promise<void> {
    if (!fs.existsSync(binary)) {
      throw new Error(`${binary} is missing: run \`cargo leptos build\` first (make test does)`);
    }
    this.log = "";
    this.child = spawn(binary, ["serve"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        LEPTOS_SITE_ADDR: `127.0.0.1:${this.port}`,
        VITRINE_DATA_DIR: this.dataDir,
        RUST_LOG: "warn",
        ...this.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (d) => (this.log += d));
    this.child.stderr?.on("data", (d) => (this.log += d));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`vitrine exited with ${this.child.exitCode}:\n${this.log}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`vitrine did not answer /healthz within 60 s:\n${this.log}`);
  }

  /** Runs a `vitrine` command against this server's data dir (e.g. `user add`), with `stdin`. */
  cli(args: string[], stdin = ""): string {
    const { execFileSync } = require("node:child_process");
    return execFileSync(binary, args, {
      cwd: repoRoot,
      input: stdin,
      env: { ...process.env, VITRINE_DATA_DIR: this.dataDir, LEPTOS_SITE_ADDR: `127.0.0.1:${this.port}`, RUST_LOG: "warn", ...this.env },
    }).toString();
  }

  /** Stops the server: SIGTERM shuts it down gracefully. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
  }

  /** Kills the server at once (SIGKILL: no shutdown, as a crash or an out-of-memory kill). */
  kill(): Promise<void> {
    return this.stop("SIGKILL");
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }

  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
