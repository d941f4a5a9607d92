# cluvio-agent %postun: forget the removed unit; after an upgrade, restart the service if it runs.
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
	if [ "$1" -ge 1 ]; then
		systemctl try-restart cluvio-agent.service >/dev/null 2>&1 || :
	fi
fi
