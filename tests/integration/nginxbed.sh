# nginxbed.sh - nginx serving a web root on loopback, for the http-01
# tests and benchmarks (POSIX sh, sourced).
#
#   nginxbed_start <dir> <port> <root>	writes <dir>/nginx.conf, starts
#					nginx in the foreground under our
#					control and sets NGINX_PID; logs
#					(error.log, access.log) in <dir>/logs
#   nginxbed_start <dir> <port> <root> <fullchain> <key>
#					the same serving TLS with that chain
#   nginxbed_stop			stops it by PID (safe to call twice)
#
# The workers run as the current user and must reach <root>: make every
# directory above it searchable (mktemp -d makes 0700 ones).

nginxbed_start() {
	_ng_dir=$1
	_ng_port=$2
	_ng_root=$3
	_ng_ssl=
	_ng_tls=
	if [ $# -ge 5 ]; then
		_ng_ssl=" ssl"
		_ng_tls="ssl_certificate $4; ssl_certificate_key $5;"
	fi
	mkdir -p "$_ng_dir/logs"
	cat >"$_ng_dir/nginx.conf" <<NGX
daemon off;
user $(id -un);
worker_processes 1;
pid $_ng_dir/nginx.pid;
error_log $_ng_dir/logs/error.log;
events { worker_connections 64; }
http {
	access_log $_ng_dir/logs/access.log;
	client_body_temp_path $_ng_dir/b;
	proxy_temp_path $_ng_dir/p;
	fastcgi_temp_path $_ng_dir/f;
	uwsgi_temp_path $_ng_dir/u;
	scgi_temp_path $_ng_dir/s;
	server {
		listen 127.0.0.1:$_ng_port$_ng_ssl;
		$_ng_tls
		root $_ng_root;
		location /.well-known/acme-challenge/ {
			default_type text/plain;
		}
	}
}
NGX
	nginx -p "$_ng_dir" -c "$_ng_dir/nginx.conf" \
	    -e "$_ng_dir/logs/error.log" >"$_ng_dir/out" 2>&1 &
	NGINX_PID=$!
}

nginxbed_stop() {
	if [ -n "${NGINX_PID:-}" ]; then
		kill "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
	fi
	NGINX_PID=
}
