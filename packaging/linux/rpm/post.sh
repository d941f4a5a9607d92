# cluvio-agent %post: enable the unit at the first installation, do not start it (the
# configuration goes to /etc/cluvio-agent.toml first), as the reference's RPM.
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -eq 1 ]; then
	systemctl --no-reload enable cluvio-agent.service >/dev/null 2>&1 || :
fi
