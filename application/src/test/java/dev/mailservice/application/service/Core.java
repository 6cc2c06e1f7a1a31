package dev.mailservice.application.service;

import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.domain.VersionKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The application's services over the fakes, wired as the service wires them: one status board,
 * one sender and one backend's turns, shared by the use cases built here.
 */
final class Core {

    /** What every replica computes the stored versions with. */
    static final VersionKey VERSION_KEY = VersionKey.derivedFrom("a-secret-the-replicas-share");

    final Fakes.Repository repository;
    final Fakes.TransportFactory factory;
    final Fakes.Metrics metrics;
    final SmtpStatusBoard board;
    final ActiveMailSender sender;
    final BackendTurns turns;
    final Fakes.Tokens tokens = new Fakes.Tokens();
    final Fakes.ManualScheduler scheduler = new Fakes.ManualScheduler();
    final SmtpLogins logins;
    final Clock clock;

    Core(Fakes.Repository repository, Fakes.TransportFactory factory, Fakes.Metrics metrics, Clock clock) {
        this.repository = repository;
        this.factory = factory;
        this.metrics = metrics;
        this.board = new SmtpStatusBoard(clock);
        this.sender = new ActiveMailSender(board);
        this.turns = new BackendTurns(repository);
        this.logins = new SmtpLogins(tokens, turns, clock, scheduler, metrics);
        this.clock = clock;
    }

    Core(Fakes.Repository repository, Fakes.TransportFactory factory, Fakes.Metrics metrics) {
        this(repository, factory, metrics, Clock.systemUTC());
    }

    GetStoredSmtpConfigurationService stored() {
        return new GetStoredSmtpConfigurationService(repository, VERSION_KEY);
    }

    ReloadSmtpConfigurationService reload(Optional<SmtpVerifier> verifyOnApply) {
        return new ReloadSmtpConfigurationService(repository, turns, factory, logins, sender, board, metrics, verifyOnApply,
                clock);
    }

    ReloadSmtpConfigurationService reload() {
        return reload(Optional.empty());
    }

    SaveSmtpConfigurationService save(Optional<SmtpVerifier> verifyBeforeSaving) {
        return new SaveSmtpConfigurationService(repository, turns, factory, logins, sender, board, verifyBeforeSaving,
                VERSION_KEY);
    }

    SmtpVerifier verifier(SmtpProbe probe, Duration limit) {
        return new SmtpVerifier(probe, tokens, logins, limit, board, metrics);
    }
}
