package dev.mailservice.application.service;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.ServiceFailure;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.StoredVersions;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.ServiceMetrics.VerificationTrigger;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.domain.VersionKey;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Implements {@link SaveSmtpConfiguration} in its steps: resolve the fields to keep against what is
 * stored, verify against the server when asked to, store over the revision read, then build a
 * transport for what was stored with the {@link MailTransportFactory} and swap it in.
 *
 * <p>Resolving, storing and applying take the backend's turn ({@link BackendTurns}), so no reload
 * or save of this replica comes in between: otherwise two saves could be applied in the other order
 * than they were stored (a file has no revision to tell), and a kept value could bring back one
 * another save had just replaced. Across replicas the write is made only over the revision read
 * (etcd's revisions tell), so a save on another replica in between makes this one a conflict rather
 * than being undone by it.
 *
 * <p>Verification talks to the SMTP server for seconds, so it runs before the turn is taken; in
 * the turn the change is resolved again, and if that gives another configuration than the one
 * verified (a value it keeps changed), the save is a conflict and stores nothing. It is written
 * over the revision read in the turn: a save that keeps nothing replaces what was stored while it
 * was verified, unless the client named the version it read.
 */
public final class SaveSmtpConfigurationService implements SaveSmtpConfiguration {

    private final ConfigRepository repository;
    private final BackendTurns turns;
    private final MailTransportFactory transportFactory;
    private final SmtpLogins logins;
    private final ActiveMailSender sender;
    private final SmtpStatusBoard board;
    private final Optional<SmtpVerifier> verifyBeforeSaving;
    private final VersionKey versionKey;

    /**
     * @param verifyBeforeSaving when present, a configuration that does not pass it through AUTH is
     *                           refused, and nothing is stored
     * @param versionKey         what the versions a save may be asked to write over are computed with
     */
    public SaveSmtpConfigurationService(ConfigRepository repository, BackendTurns turns,
            MailTransportFactory transportFactory, SmtpLogins logins, ActiveMailSender sender, SmtpStatusBoard board,
            Optional<SmtpVerifier> verifyBeforeSaving, VersionKey versionKey) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.turns = Objects.requireNonNull(turns, "turns");
        this.transportFactory = Objects.requireNonNull(transportFactory, "transportFactory");
        this.logins = Objects.requireNonNull(logins, "logins");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.board = Objects.requireNonNull(board, "board");
        this.verifyBeforeSaving = Objects.requireNonNull(verifyBeforeSaving, "verifyBeforeSaving");
        this.versionKey = Objects.requireNonNull(versionKey, "versionKey");
    }

    @Override
    public SmtpConfiguration save(SmtpConfigurationChange change, Optional<StoredVersions> storedVersions) {
        Optional<Resolved> verified;
        try {
            verified = verifyBeforeSaving.map(verifier ->
                    passing(verifier, resolve(change, repository::load, repository::currentRevision, false)));
        } catch (BackendUnavailable unreachable) {
            throw unreachable(unreachable);
        }
        try (BackendTurns.Turn turn = turns.take()) {
            try {
                return saveInTurn(turn, change, storedVersions, verified);
            } catch (BackendUnavailable unreachable) {
                throw unreachable(unreachable);
            }
        }
    }

    /** {@code failure}, once readiness notes that the backend was not reached. */
    private BackendUnavailable unreachable(BackendUnavailable failure) {
        board.backendRead(repository.backendName(), false);
        return failure;
    }

    /** The save's steps in the backend's {@code turn}: what readiness says of the backend follows them too. */
    private SmtpConfiguration saveInTurn(BackendTurns.Turn turn, SmtpConfigurationChange change,
            Optional<StoredVersions> storedVersions, Optional<Resolved> verified) {
        // 1. Resolve the change against what is stored now: what was verified, if anything was,
        //    and the version the client read, if it said which.
        Supplier<Optional<StoredSmtpConfiguration>> load = storedVersions.isPresent()
                ? readOnce(turn.load(), storedVersions.get()) : turn::load;
        Resolved resolved = resolve(change, load, turn::currentRevision, storedVersions.isPresent());
        // Compared by the configuration alone: the write is made over the revision read here anyway.
        if (verified.isPresent() && !logins.sameOnceRotated(verified.get().configuration(), resolved.configuration())) {
            throw new WriteConflict("The stored SMTP configuration changed while this one was being verified; "
                    + "nothing was stored");
        }
        // 2. Store it over the revision read; with the refresh token the check was given, if it was
        //    (the one it was checked with is spent, and another replica would ask with it).
        SmtpConfiguration toStore = logins.withLatestRefreshToken(resolved.configuration());
        StoredSmtpConfiguration stored = new StoredSmtpConfiguration(toStore,
                turn.save(toStore, change.otherFields(), resolved.readRevision()), change.otherFields());
        board.backendRead(repository.backendName(), true);
        // What was just stored is the newest there is: nothing else is applied while the turn is
        // held, and a revision below the active one means the backend's history went back (a
        // restore), where it is still what is stored. If it is active already, it keeps its transport.
        if (board.confirmIfActive(stored)) {
            return stored.configuration();
        }
        // 3. Build a transport for it.
        SmtpCredentials credentials = logins.forApplied(stored.configuration());
        MailTransport transport = build(stored.configuration(), credentials);
        // 4. Swap it in: mail goes out with it, then the status shows it.
        sender.swapIn(stored.configuration(), transport);
        logins.applied(credentials);
        board.applied(stored, repository.backendName(), credentials);
        return stored.configuration();
    }

    /** What is stored, once it is known to be at one of {@code versions}; read once, for the rest of the save. */
    private Supplier<Optional<StoredSmtpConfiguration>> readOnce(Optional<StoredSmtpConfiguration> stored,
            StoredVersions versions) {
        String storedNow = StoredSmtpConfiguration.versionOf(stored, versionKey);
        if (versions.anyStored() && !versions.allow(storedNow)) {
            throw new WriteConflict("No SMTP configuration is stored, and this save was to replace one; nothing was "
                    + "stored: read it again, and save your change over what is there");
        }
        if (!versions.allow(storedNow)) {
            throw new WriteConflict("The stored SMTP configuration changed since it was read (version " + versions
                    + ", now " + storedNow + "); nothing was stored: read it again, and save your change over it");
        }
        return () -> stored;
    }

    /** A transport for {@code configuration}; stored but not applied, it fails as a reload would, recorded. */
    private MailTransport build(SmtpConfiguration configuration, SmtpCredentials credentials) {
        try {
            return transportFactory.create(configuration, credentials);
        } catch (ServiceFailure failure) {
            throw board.reloadFailed(failure);
        }
    }

    /** {@code resolved}, once it passed {@code verifier}; refused otherwise. */
    private static Resolved passing(SmtpVerifier verifier, Resolved resolved) {
        SmtpVerification report = verifier.verify(resolved.configuration(), Optional.empty(), VerificationTrigger.SAVE);
        if (!report.ok()) {
            throw new InvalidInput(null, report.failure());
        }
        return resolved;
    }

    /** The configuration {@code change} makes of what is stored now, and the revision read. */
    private static Resolved resolve(SmtpConfigurationChange change, Supplier<Optional<StoredSmtpConfiguration>> load,
            LongSupplier currentRevision, boolean readAlready) {
        // Only a change that keeps values needs them, or one checked against what was read; any other
        // reads the revision alone, so that a stored value that cannot be read can still be replaced.
        // Nothing read is nothing stored: the write is then one that creates, never one over a value
        // created since the read, which a second look at the revision would hand it.
        boolean reads = ChangeResolver.keepsAny(change) || readAlready;
        Optional<StoredSmtpConfiguration> stored = reads ? load.get() : Optional.empty();
        long readRevision = stored.isPresent() ? stored.get().revision()
                : reads ? StoredSmtpConfiguration.UNVERSIONED : currentRevision.getAsLong();
        return new Resolved(ChangeResolver.resolve(change, stored.map(StoredSmtpConfiguration::configuration)),
                readRevision);
    }

    private record Resolved(SmtpConfiguration configuration, long readRevision) {}
}
