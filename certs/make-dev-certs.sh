#!/usr/bin/env bash
# Makes a development certificate authority and a server certificate signed
# by it (EC P-256, SHA-256), for TLS between clients and FlintDB:
#
#   certs/make-dev-certs.sh [DIR] [HOSTNAME]     (default: certs/dev, localhost)
#
# DIR gets ca.crt (give it to clients: sslrootcert=ca.crt, sslmode=verify-full),
# server.crt and server.key (tls_cert_file / tls_key_file in
# config/flintdb.toml). The certificate names HOSTNAME, localhost, 127.0.0.1
# and ::1. Private keys are made here, never committed (certs/.gitignore).
set -euo pipefail
dir=${1:-"$(dirname "$0")/dev"}
host=${2:-localhost}
if ! command -v openssl >/dev/null; then
  apt-get install -y -qq openssl >/dev/null
fi
mkdir -p "$dir"
cd "$dir"
umask 077
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days 825 -subj "/CN=FlintDB development CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.crt 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out server.key.ec
openssl pkcs8 -topk8 -nocrypt -in server.key.ec -out server.key
rm server.key.ec
openssl req -new -key server.key -subj "/CN=$host" -out server.csr 2>/dev/null
cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1,IP:::1
EXT
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 825 \
  -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 644 ca.crt server.crt
echo "made $dir/ca.crt, $dir/server.crt and $dir/server.key"
