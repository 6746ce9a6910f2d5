# Sourced by ./moe4j and ./build: finds a JDK >= 25 and Maven, or explains exactly what is missing.
# Sets MOE4J_JAVA_HOME. Prints nothing on success.

moe4j_java_feature() { # prints the feature version of the JDK at $1, or nothing
  local home="$1" v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  [ -n "$v" ] || v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  [ -n "$v" ] && echo "$v"
}

moe4j_find_jdk() {
  local c v
  for c in "${MOE4J_JAVA_HOME:-}" "${JAVA_HOME:-}" \
           /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
           "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$c" ] && [ -d "$c" ] || continue
    v=$(moe4j_java_feature "$c") || continue
    if [ "${v:-0}" -ge 25 ] 2>/dev/null; then
      MOE4J_JAVA_HOME="$c"; export MOE4J_JAVA_HOME; return 0
    fi
  done
  cat >&2 <<'MSG'
moe4j: no JDK 25 or newer found.
  Looked at $JAVA_HOME, /usr/lib/jvm/*, /usr/java/*, /opt/*, ~/.sdkman and ~/.jdks.
  moe4j needs a full JDK (java and javac) of version 25 or newer, with the jdk.incubator.vector module.
  Install one, for example Eclipse Temurin 25:
    Debian/Ubuntu: add the Adoptium apt repository, then  sudo apt install temurin-25-jdk
    Any OS:        download from https://adoptium.net/temurin/releases/?version=25
  then run again, or point JAVA_HOME at it:  JAVA_HOME=/path/to/jdk-25 ./moe4j ...
MSG
  return 1
}

moe4j_find_maven() {
  if command -v mvn >/dev/null 2>&1; then MOE4J_MVN=mvn; return 0; fi
  cat >&2 <<'MSG'
moe4j: Maven (mvn) is needed to build moe4j and was not found on PATH.
  Debian/Ubuntu: sudo apt install maven      other systems: https://maven.apache.org/install.html
MSG
  return 1
}

# Runs Maven with the JDK found above; Maven's own JVM gets the flag that silences its Unsafe warnings.
moe4j_mvn() {
  JAVA_HOME="$MOE4J_JAVA_HOME" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
    "$MOE4J_MVN" -B -f "$MOE4J_ROOT/pom.xml" "$@"
}
