#!/bin/sh
# scripts/stack/gen_ca.sh DIR — make the throwaway test PKI of the demo/test
# stack in DIR (normally $RUN_DIR/ca). Does nothing if DIR/server.pem exists.
#
#   ca.pem, ca.key             local test CA ("postern test CA")
#   server.pem, server.key     good server cert, signed by the CA, for
#                              mail.example.test, localhost, 127.0.0.1 (SAN)
#   evil.pem, evil.key         self-signed, CN=evil.example
#   expired.pem, expired.key   from the CA, mail.example.test/localhost/
#                              127.0.0.1, valid 2020-01-01 .. 2021-01-01
#   other.pem, other.key       from the CA, CN/SAN other.example (wrong host)
#
# Only server.* is used by the stack; the rest are for certificate tests.
# Keys are EC P-256 (fast to make). Files are world-readable except *.key.
set -eu

dir=${1:?usage: gen_ca.sh DIR}
[ -s "$dir/server.pem" ] && [ -s "$dir/server.key" ] && exit 0

command -v openssl >/dev/null 2>&1 || { echo "gen_ca.sh: openssl not found" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
umask 022
work=$(mktemp -d "$dir/.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

key() { # key FILE
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
    chmod 600 "$1"
}

# extension file for leaf certificates: ext NAME SAN
leaf_ext() {
    cat > "$work/$1.ext" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = $2
EXT
}

good_san="DNS:mail.example.test, DNS:localhost, IP:127.0.0.1"

# --- CA
key ca.key
openssl req -new -x509 -key ca.key -out ca.pem -days 3650 -sha256 \
    -subj "/O=postern test/CN=postern test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"

sign() { # sign NAME CN SAN  -> NAME.pem signed by the CA, valid 825 days from now
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/O=postern test/CN=$2" -out "$work/$1.csr"
    leaf_ext "$1" "$3"
    openssl x509 -req -in "$work/$1.csr" -CA ca.pem -CAkey ca.key \
        -CAcreateserial -CAserial "$work/ca.srl" -days 825 -sha256 \
        -extfile "$work/$1.ext" -out "$1.pem" 2>/dev/null
}

# --- the good server certificate, and one for the wrong host
sign server mail.example.test "$good_san"
sign other other.example "DNS:other.example"

# --- self-signed impostor
key evil.key
openssl req -new -x509 -key evil.key -out evil.pem -days 825 -sha256 \
    -subj "/CN=evil.example" \
    -addext "subjectAltName=DNS:evil.example" \
    -addext "basicConstraints=critical,CA:FALSE"

# --- expired, from the right CA: x509 -req in OpenSSL 3.0 cannot backdate,
# "openssl ca" can (-startdate/-enddate).
key expired.key
openssl req -new -key expired.key -subj "/O=postern test/CN=mail.example.test" \
    -out "$work/expired.csr"
mkdir -p "$work/ca.db"
: > "$work/ca.db/index.txt"
echo 1000 > "$work/ca.db/serial"
cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $work/ca.db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
x509_extensions = leaf
[ any ]
organizationName = optional
commonName = supplied
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = $good_san
CNF
openssl ca -batch -notext -config "$work/ca.cnf" -in "$work/expired.csr" \
    -startdate 20200101000000Z -enddate 20210101000000Z \
    -out expired.pem 2>/dev/null

# server chain file (leaf + CA) for servers that want the chain in one file
cat server.pem ca.pem > server-chain.pem
# sanity: the good one verifies by name, the others do not
openssl verify -CAfile ca.pem server.pem >/dev/null
echo "gen_ca.sh: made test CA and certificates in $dir"
