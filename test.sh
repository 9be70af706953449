#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what the tests need, then runs `mvn verify`
# (unit tests *Test with Surefire, integration tests *IT with Failsafe against real servers started on 127.0.0.1:
# Catchment itself, S3Proxy, a Kafka broker, ElasticMQ (SQS), ClickHouse, stand-ins for the SaaS export APIs, and headless Chromium
# with the vendors' browser SDKs from npm).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

apt_install() {
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}

missing=()
command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])' || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# ClickHouse for the scale-out tests: Debian's server package; tests start it themselves on free loopback ports
[ -x /usr/sbin/clickhouse-server ] || missing+=(clickhouse-server clickhouse-client)
# headless Chromium for the browser SDK tests (BrowserSdkIT), driven by playwright-core on Node.js
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

# S3Proxy (a real S3-compatible server for the s3:// import tests) runs in its own JVM, off Catchment's classpath
mkdir -p target
mvn -B -q -f tools/s3proxy/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/target/s3proxy.classpath"

# Kafka (a real KRaft broker for the scale-out tests) also runs in its own JVM, from Maven Central's jars
mvn -B -q -f tools/kafka/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/target/kafka.classpath"

# ElasticMQ (a real SQS-compatible server for the log.type=sqs tests) also runs in its own JVM, from Maven Central's jars
mvn -B -q -f tools/elasticmq/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/target/elasticmq.classpath"

# the vendors' browser SDKs and playwright-core, pinned by tools/browser/package-lock.json; no browser download
if [ ! -f tools/browser/node_modules/.package-lock.json ] || [ tools/browser/package-lock.json -nt tools/browser/node_modules/.package-lock.json ]; then
  (cd tools/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

exec mvn -B verify "$@"
