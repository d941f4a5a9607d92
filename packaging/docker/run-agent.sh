#!/bin/sh
# Entrypoint of the cluvio-agent image (packaging/docker/Dockerfile), with the reference image's
# settings (its docker/run-agent.sh):
#
#   AGENT_SECRET_KEY                   the agent's secret key (secret-key in cluvio-agent.toml)
#   LOCATION=eu|us or AGENT_GATEWAY_HOST  the gateway
#
# With them, the configuration is written owner-only to ~/.config/cluvio-agent.toml, a place of
# the agent's search order, so `docker exec … cluvio-agent diagnose` finds it as well. Without
# AGENT_SECRET_KEY, a configuration mounted at /etc/cluvio-agent.toml is used (the search
# order's last place). Arguments are passed to cluvio-agent, which replaces this shell so that
# `docker stop` reaches it (SIGTERM: streams closed, exit 0).
set -eu

agent="$(dirname "$0")/cluvio-agent"

if [ -n "${AGENT_SECRET_KEY:-}" ]; then
	case "$AGENT_SECRET_KEY" in
	*[!A-Za-z0-9_-]*)
		echo "AGENT_SECRET_KEY must be the secret-key value from cluvio-agent.toml (letters, digits, - and _ only, without quotes)" >&2
		exit 1
		;;
	esac
	if [ -n "${LOCATION:-}" ]; then
		case "$LOCATION" in
		eu) AGENT_GATEWAY_HOST=gateway.eu.cluvio.com ;;
		us) AGENT_GATEWAY_HOST=gateway.us.cluvio.com ;;
		*)
			echo "Invalid location: $LOCATION (use eu or us, or set AGENT_GATEWAY_HOST)" >&2
			exit 1
			;;
		esac
	fi
	if [ -z "${AGENT_GATEWAY_HOST:-}" ]; then
		echo "LOCATION or AGENT_GATEWAY_HOST must be set" >&2
		exit 1
	fi
	case "$AGENT_GATEWAY_HOST" in
	*[!A-Za-z0-9.-]*)
		echo "AGENT_GATEWAY_HOST must be a host name, e.g. gateway.eu.cluvio.com" >&2
		exit 1
		;;
	esac
	config_dir="${XDG_CONFIG_HOME:-$HOME/.config}"
	mkdir -p "$config_dir"
	umask 077
	cat >"$config_dir/cluvio-agent.toml" <<TOML
secret-key = "$AGENT_SECRET_KEY"

[server]
host = "$AGENT_GATEWAY_HOST"
TOML
elif [ ! -f /etc/cluvio-agent.toml ]; then
	echo "AGENT_SECRET_KEY must be set, or a configuration mounted at /etc/cluvio-agent.toml" >&2
	exit 1
fi

exec "$agent" "$@"
