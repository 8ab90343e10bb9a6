#!/usr/bin/env bash
# Makes a development CA and a server certificate for 127.0.0.1/localhost
# in this folder (ca.crt, server.crt, server.key). For development only:
# nothing it makes is committed (see .gitignore). TLS itself arrives with
# the security issue; this script is ready for it.
set -euo pipefail
cd "$(dirname "$0")"
command -v openssl >/dev/null || { echo "openssl is required (apt-get install openssl)" >&2; exit 1; }
days=${DAYS:-365}
openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=FlintDB development CA" \
  -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$days" \
  -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 600 ca.key server.key
echo "wrote $(pwd)/ca.crt, server.crt, server.key"
