#!/usr/bin/env bash
# Machine packages the lab needs (Debian, as root): openssl (the CM simulator and the servers'
# etcd endpoints make their own CAs), openssh-server (one real sshd per lab node for the RKE2
# scripts over SSH) and curl (what a server's etcd member list is read with, as on a real node). Sourced by
# .ci/run and tools/lab-demo.sh; exports ECS_LAB_SSH_PORT when port 22 is taken.
apt_install() {
  echo "[lab-prereqs] apt: $*"
  # policy-rc.d refuses service starts while installing, so the distribution's own sshd does
  # not start and take port 22 on every address.
  local policy=/usr/sbin/policy-rc.d own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# ecs-pulumi lab-prereqs: no service starts while it installs packages\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    own_policy=1
  fi
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  if [ -n "$own_policy" ]; then rm -f "$policy"; fi
}
missing=()
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "[lab-prereqs] missing ${missing[*]}; the lab needs them and root: sudo apt-get install -y ${missing[*]}" >&2
    return 1 2>/dev/null || exit 1
  fi
  apt_install "${missing[@]}"
fi
# Something already on 127.0.8.141:22 (with no lab running: a system sshd on 0.0.0.0:22) makes
# the lab's per-node binds fail; use another port then, and say why.
if [ -z "${ECS_LAB_SSH_PORT:-}" ] && (exec 3<>/dev/tcp/127.0.8.141/22) 2>/dev/null; then
  export ECS_LAB_SSH_PORT=2222
  echo "[lab-prereqs] port 22 on 127.0.8.141 is taken (a system sshd on 0.0.0.0:22?): the lab's sshd use port $ECS_LAB_SSH_PORT"
fi
