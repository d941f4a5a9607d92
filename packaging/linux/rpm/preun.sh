# cluvio-agent %preun: at removal (not upgrade), stop and disable the service.
# /etc/cluvio-agent.toml is not the package's file and stays.
if [ "$1" -eq 0 ]; then
	systemctl --no-reload disable --now cluvio-agent.service >/dev/null 2>&1 || :
fi
