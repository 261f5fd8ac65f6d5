import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { NodeConfig, SshConfig } from "../config/types";

export interface Rke2PrepArgs {
  node: NodeConfig;
  ssh: SshConfig;
  /** Secret private key; absent until a node rejoins (then config validation requires it). */
  privateKey?: pulumi.Input<string>;
}

/** The runbook's stage 3.2 on the node itself: stop RKE2, then wipe its state. */
export function rke2PrepScript(ssh: SshConfig): string {
  const sudo = ssh.user === "root" ? "" : "sudo -n ";
  return [
    "set -e",
    'echo "RKE2 prep on $(hostname): stopping RKE2 (rke2-killall.sh)"',
    `${sudo}${ssh.rke2BinDir}/rke2-killall.sh`,
    'echo "RKE2 prep on $(hostname): wiping RKE2 and etcd state (rke2-uninstall.sh)"',
    `${sudo}${ssh.rke2BinDir}/rke2-uninstall.sh`,
    'echo "RKE2 prep on $(hostname): done; the CM role start installs RKE2 afresh"',
  ].join("\n");
}

/** Reachability, host key and scripts, checked before anything of the node is taken down. */
export function rke2PreflightScript(ssh: SshConfig): string {
  const sudo = ssh.user === "root" ? "" : "sudo -n ";
  return [
    "set -e",
    `test -x ${ssh.rke2BinDir}/rke2-killall.sh && test -x ${ssh.rke2BinDir}/rke2-uninstall.sh`,
    `${sudo}true`,
    'echo "RKE2 prep preflight on $(hostname): SSH, host key, sudo and scripts OK"',
  ].join("\n");
}

/** Bounded: every dial attempt, then the scripts themselves (an SSH keepalive catches a dead link). */
function sshTimeouts(ssh: SshConfig): pulumi.CustomTimeouts {
  const bound = `${ssh.dialTimeoutSec * ssh.dialAttempts + 900}s`;
  return { create: bound, update: bound, delete: bound };
}

function connection(args: Rke2PrepArgs): command.types.input.remote.ConnectionArgs {
  return {
    host: args.node.ip,
    port: args.ssh.port,
    user: args.ssh.user,
    privateKey: args.privateKey && pulumi.secret(args.privateKey),
    hostKey: args.node.sshHostKey,
    perDialTimeout: args.ssh.dialTimeoutSec,
    dialErrorLimit: args.ssh.dialAttempts,
  };
}

/**
 * The RKE2 prep of a rejoin runs only when the node's `rejoin` generation is above zero. With 0,
 * these resources hold no command and never connect (a new or rebuilt VM has no RKE2 state, and
 * its host key is not known yet). Bumping `rejoin` replaces both (`triggers`).
 *
 * The preflight is not part of the chain: the prep depends on it, so the engine runs it before the
 * prep's delete-before-replace cascade takes the membership and the role away. A stale host key
 * or a node that cannot be reached fails the update while the node is still whole.
 */
export function rke2Preflight(name: string, args: Rke2PrepArgs, opts: pulumi.CustomResourceOptions) {
  const active = args.node.rejoin > 0;
  return new command.remote.Command(
    `${name}-rke2-preflight`,
    {
      connection: connection(args),
      create: active ? rke2PreflightScript(args.ssh) : undefined,
      triggers: [args.node.rejoin],
      logging: "stdoutAndStderr",
    },
    { ...opts, customTimeouts: sshTimeouts(args.ssh) },
  );
}

/**
 * Stage "RKE2 prep" (runbook step 3.2: rke2-killall.sh, rke2-uninstall.sh), between the CM host
 * and the CM role. The role takes this resource's id as an identity input, so a new prep (a
 * rejoin) deletes membership and role first and recreates them after it.
 *
 * Bound to the CM host by `dependsOn` only: a rebuilt VM is clean, so a rebuild must not redo the
 * prep (nor try its old host key on the new VM). No delete command: delete halves never need the
 * node. An edit of the SSH settings alone is an update, which re-checks the connection and runs
 * nothing (`update`), never the wipe.
 */
export function rke2Prep(name: string, args: Rke2PrepArgs, opts: pulumi.CustomResourceOptions) {
  const active = args.node.rejoin > 0;
  return new command.remote.Command(
    `${name}-rke2-prep`,
    {
      connection: connection(args),
      create: active ? rke2PrepScript(args.ssh) : undefined,
      update: active ? "true" : undefined,
      triggers: [args.node.rejoin],
      logging: "stdoutAndStderr",
    },
    { ...opts, deleteBeforeReplace: true, customTimeouts: sshTimeouts(args.ssh) },
  );
}
