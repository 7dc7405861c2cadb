# The plain reverse proxies the bench compares against, configured the same way wherever they
# run (sourced by run.sh, two_cores.sh and many_streams.sh): nginx with upstream keep-alive and
# no buffering, HAProxy with connection reuse.
#   write_nginx_conf FILE DIR LISTEN_PORT UPSTREAM_PORT WORKERS
#   write_haproxy_cfg FILE LISTEN_PORT UPSTREAM_PORT THREADS SERVER_MAXCONN
write_nginx_conf() {
  cat > "$1" <<NGINX
worker_processes $5;
worker_rlimit_nofile 16384;
daemon off;
pid $2/nginx.pid;
error_log $2/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream up { server 127.0.0.1:$4; keepalive 128; }
  server {
    listen 127.0.0.1:$3;
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
NGINX
}

write_haproxy_cfg() {
  cat > "$1" <<HAPROXY
global
  nbthread $4
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$2
  default_backend be
backend be
  server up 127.0.0.1:$3 maxconn $5
HAPROXY
}
