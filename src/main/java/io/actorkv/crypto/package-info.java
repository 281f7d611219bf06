/**
 * The keys of encryption at rest: master keys
 * ({@link io.actorkv.crypto.MasterKeys}, from a file or the environment in
 * {@link io.actorkv.crypto.LocalMasterKeys}) wrapping one data key per
 * namespace ({@link io.actorkv.crypto.DataKeys}, stored wrapped in the
 * journal's database), and AES-256-GCM itself. Below the stores, which
 * seal and open values with them; above the journal's database.
 */
package io.actorkv.crypto;
