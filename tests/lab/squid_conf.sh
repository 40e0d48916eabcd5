# squid_conf.sh - sourced by the lab scripts; needs $WORK.

# squid_common_conf: the part of squid.conf every lab squid shares:
# loopback only, no cache, no DNS beyond loopback, files in $WORK/var.
squid_common_conf() {
	cat <<CONF
cache deny all
cache_mem 8 MB
pid_filename $WORK/var/squid.pid
cache_log $WORK/var/cache.log
access_log $WORK/var/access.log
cache_store_log none
netdb_filename none
coredump_dir $WORK/var
pinger_enable off
dns_nameservers 127.0.0.1
icp_port 0
htcp_port 0
shutdown_lifetime 0 seconds
CONF
}
