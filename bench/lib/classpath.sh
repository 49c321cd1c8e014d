# Sourced by the benchmarks. test_classpath MODULE builds MODULE (and what it needs) and prints
# the class path of its test classes, its classes and its test-scope dependencies.
test_classpath() {
  local module=$1
  mvn -q -B -ntp -pl "bom,$module" -am install -DskipTests -Dspotless.check.skip=true >&2
  mvn -q -B -ntp -pl "$module" dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench.classpath >&2
  echo "$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")"
}
