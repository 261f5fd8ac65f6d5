// The LanguageRuntime gRPC service: turns protobuf requests into plain inputs for the modules that do
// the work, and their results back into responses. RPCs the project does not need (code generation,
// packing, linking) answer UNIMPLEMENTED.
import * as grpc from "@grpc/grpc-js";
import type * as Lang from "@pulumi/pulumi/proto/language_pb";
import { spawnSync } from "child_process";
import { cancelAll, lookPath } from "./child-processes";
import { installDependencies, OutputSink, resolvePackageManager } from "./install-dependencies";
import { parseNodeOptions } from "./options";
import { programDependencies } from "./program-dependencies";
import { findRequiredPackages, incompatibleSdkVersions, RequiredPackage } from "./required-packages";
import { runPlugin } from "./run-plugin";
import { runProgram } from "./run-program";
import { emptyPb, languagePb, pluginPb } from "./stubs";

export interface HostSettings {
  engineAddress?: string;
  tracing?: string;
  version: string;
  /** Called when a Handshake names the engine (the CLI may start the host without an address). */
  onEngineAddress?: (address: string) => void;
}

type Info = Lang.ProgramInfo | undefined;
type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

const unimplemented =
  (name: string): Unary<unknown, unknown> =>
  (_call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `method ${name} not implemented` });

function options(info: Info): Record<string, unknown> | undefined {
  return info?.getOptions()?.toJavaScript() as Record<string, unknown> | undefined;
}

/** Runs `work` and reports a thrown error as an INTERNAL gRPC error. */
function answer<Res>(callback: grpc.sendUnaryData<Res>, work: () => Promise<Res> | Res): void {
  Promise.resolve()
    .then(work)
    .then(
      (res) => callback(null, res),
      (err: Error) => callback({ code: grpc.status.UNKNOWN, details: err.message }),
    );
}

/** Ends a server stream with an error status, after the messages already written. */
function failStream(call: grpc.ServerWritableStream<unknown, unknown>, err: Error): void {
  // grpc-js turns an 'error' event on a server stream into the call's final status.
  call.emit("error", { code: grpc.status.UNKNOWN, details: err.message });
}

function streamSink(write: (which: "stdout" | "stderr", chunk: Buffer) => void): OutputSink {
  return { stdout: (c) => write("stdout", c), stderr: (c) => write("stderr", c) };
}

function requiredPackages(programDirectory: string): RequiredPackage[] {
  const found = findRequiredPackages(programDirectory);
  const warning = incompatibleSdkVersions(found.pulumiSdkVersions);
  if (warning) process.stderr.write(warning);
  return found.packages;
}

function commandVersion(command: string): string {
  const out = spawnSync(command, ["--version"], { encoding: "utf8" });
  return out.status === 0 ? out.stdout.trim() : "";
}

export function languageRuntimeHandlers(settings: HostSettings): grpc.UntypedServiceImplementation {
  const handshake: Unary<Lang.LanguageHandshakeRequest, Lang.LanguageHandshakeResponse> = (
    call,
    callback,
  ) => {
    settings.engineAddress = call.request.getEngineAddress();
    settings.onEngineAddress?.(settings.engineAddress);
    callback(null, new languagePb.LanguageHandshakeResponse());
  };

  const getRequiredPlugins: Unary<Lang.GetRequiredPluginsRequest, Lang.GetRequiredPluginsResponse> = (
    call,
    cb,
  ) =>
    answer(cb, () => {
      const dir = call.request.getInfo()?.getProgramDirectory() || call.request.getPwd();
      const res = new languagePb.GetRequiredPluginsResponse();
      for (const p of requiredPackages(dir)) {
        const dep = new pluginPb.PluginDependency();
        dep.setName(p.name);
        dep.setKind(p.kind);
        dep.setVersion(p.version);
        dep.setServer(p.server);
        res.addPlugins(dep);
      }
      return res;
    });

  const getRequiredPackages: Unary<Lang.GetRequiredPackagesRequest, Lang.GetRequiredPackagesResponse> = (
    call,
    cb,
  ) =>
    answer(cb, () => {
      const res = new languagePb.GetRequiredPackagesResponse();
      for (const p of requiredPackages(call.request.getInfo()?.getProgramDirectory() ?? ".")) {
        const dep = new pluginPb.PackageDependency();
        dep.setName(p.name);
        dep.setKind(p.kind);
        dep.setVersion(p.version);
        dep.setServer(p.server);
        if (p.parameterization) {
          const param = new pluginPb.PackageParameterization();
          param.setName(p.parameterization.name);
          param.setVersion(p.parameterization.version);
          param.setValue(p.parameterization.value);
          dep.setParameterization(param);
        }
        res.addPackages(dep);
      }
      return res;
    });

  const run: Unary<Lang.RunRequest, Lang.RunResponse> = (call, cb) =>
    answer(cb, async () => {
      const req = call.request;
      const abandoned = new AbortController();
      call.on("cancelled", () => abandoned.abort());
      const info = req.getInfo();
      const config = new Map<string, string>();
      req.getConfigMap().forEach((value, key) => {
        config.set(key, value);
      });
      const outcome = await runProgram(
        {
          engineAddress: settings.engineAddress,
          monitorAddress: req.getMonitorAddress(),
          organization: req.getOrganization(),
          project: req.getProject(),
          stack: req.getStack(),
          rootDirectory: info?.getRootDirectory() ?? "",
          programDirectory: info?.getProgramDirectory() || req.getPwd(),
          entryPoint: info?.getEntryPoint() || req.getProgram() || ".",
          dryRun: req.getDryrun(),
          parallel: req.getParallel(),
          tracing: settings.tracing,
          args: req.getArgsList(),
          config,
          configSecretKeys: req.getConfigsecretkeysList(),
          options: options(info),
        },
        abandoned.signal,
      );
      const res = new languagePb.RunResponse();
      res.setError(outcome.error);
      res.setBail(outcome.bail);
      return res;
    });

  const getPluginInfo: Unary<unknown, InstanceType<typeof pluginPb.PluginInfo>> = (_call, cb) => {
    const res = new pluginPb.PluginInfo();
    res.setVersion(settings.version);
    cb(null, res);
  };

  const installDeps: grpc.handleServerStreamingCall<
    Lang.InstallDependenciesRequest,
    Lang.InstallDependenciesResponse
  > = (call) => {
    const info = call.request.getInfo();
    const sink = streamSink((which, chunk) => {
      const msg = new languagePb.InstallDependenciesResponse();
      if (which === "stdout") msg.setStdout(chunk);
      else msg.setStderr(chunk);
      call.write(msg);
    });
    Promise.resolve()
      .then(() =>
        installDependencies(
          info?.getProgramDirectory() || call.request.getDirectory(),
          parseNodeOptions(options(info)).packageManager,
          sink,
        ),
      )
      .then(
        () => call.end(),
        (err: Error) => failStream(call, err),
      );
  };

  const runtimeOptionsPrompts: Unary<Lang.RuntimeOptionsRequest, Lang.RuntimeOptionsResponse> = (_call, cb) =>
    cb(null, new languagePb.RuntimeOptionsResponse());

  const template: Unary<Lang.TemplateRequest, Lang.TemplateResponse> = (_call, cb) =>
    cb(null, new languagePb.TemplateResponse());

  const about: Unary<Lang.AboutRequest, Lang.AboutResponse> = (call, cb) =>
    answer(cb, () => {
      const info = call.request.getInfo();
      const manager = resolvePackageManager(
        parseNodeOptions(options(info)).packageManager,
        info?.getProgramDirectory() || ".",
      );
      const node = lookPath("node");
      if (!node) throw new Error('could not find executable "node"');
      const res = new languagePb.AboutResponse();
      res.setExecutable(node);
      res.setVersion(commandVersion(node));
      res.getMetadataMap().set("packagemanager", manager);
      res.getMetadataMap().set("packagemanagerVersion", commandVersion(manager));
      return res;
    });

  const getProgramDependencies: Unary<
    Lang.GetProgramDependenciesRequest,
    Lang.GetProgramDependenciesResponse
  > = (call, cb) =>
    answer(cb, () => {
      const dir = call.request.getInfo()?.getProgramDirectory() || call.request.getPwd();
      const res = new languagePb.GetProgramDependenciesResponse();
      for (const d of programDependencies(dir, call.request.getTransitivedependencies())) {
        const dep = new languagePb.DependencyInfo();
        dep.setName(d.name);
        dep.setVersion(d.version);
        res.addDependencies(dep);
      }
      return res;
    });

  const runPluginRpc: grpc.handleServerStreamingCall<Lang.RunPluginRequest, Lang.RunPluginResponse> = (
    call,
  ) => {
    const req = call.request;
    const info = req.getInfo();
    const sink = streamSink((which, chunk) => {
      if (call.cancelled || call.destroyed) return;
      const msg = new languagePb.RunPluginResponse();
      if (which === "stdout") msg.setStdout(chunk);
      else msg.setStderr(chunk);
      call.write(msg);
    });
    const cancelHandlers: (() => void)[] = [];
    call.on("cancelled", () => cancelHandlers.forEach((h) => h()));
    runPlugin(
      {
        kind: req.getKind(),
        name: req.getName(),
        pwd: req.getPwd(),
        programDirectory: info?.getProgramDirectory() || req.getProgram(),
        args: req.getArgsList(),
        env: req.getEnvList(),
        options: options(info),
      },
      sink,
      { onCancel: (stop) => (call.cancelled ? stop() : cancelHandlers.push(stop)) },
    ).then(
      () => call.end(),
      (err: Error) => failStream(call, err),
    );
  };

  const cancel: Unary<unknown, unknown> = (_call, cb) => {
    cancelAll();
    cb(null, new emptyPb.Empty());
  };

  return {
    handshake,
    getRequiredPlugins,
    getRequiredPackages,
    run,
    getPluginInfo,
    installDependencies: installDeps,
    runtimeOptionsPrompts,
    template,
    about,
    getProgramDependencies,
    runPlugin: runPluginRpc,
    generateProgram: unimplemented("GenerateProgram"),
    generateProject: unimplemented("GenerateProject"),
    generatePackage: unimplemented("GeneratePackage"),
    pack: unimplemented("Pack"),
    link: unimplemented("Link"),
    cancel,
  };
}
