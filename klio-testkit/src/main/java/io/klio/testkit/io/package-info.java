/** Test streams. */
package io.klio.testkit.io;
