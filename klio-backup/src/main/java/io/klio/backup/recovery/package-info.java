/**
 * What a restore asks PostgreSQL to do once the files are back: the recovery target ({@link
 * io.klio.backup.recovery.RecoveryTarget}, {@link io.klio.backup.recovery.TargetTimeline}, {@link
 * io.klio.backup.recovery.TargetAction}), the settings and signal file it writes ({@link
 * io.klio.backup.recovery.RecoveryConfig}), and which backup to start from ({@link
 * io.klio.backup.recovery.BackupSelection}).
 */
package io.klio.backup.recovery;
