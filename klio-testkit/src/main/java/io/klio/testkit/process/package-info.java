/** Child processes for crash tests. */
package io.klio.testkit.process;
