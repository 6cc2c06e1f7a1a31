package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on real files in a temporary directory, plus what only files can do. */
class FileConfigRepositoryTest extends ConfigRepositoryContractTest {

    @TempDir
    Path directory;

    private Path file;
    private FileConfigRepository repository;

    @BeforeEach
    void createRepository() {
        file = directory.resolve("smtp.json");
        repository = new FileConfigRepository(file, MAX_VALUE_BYTES);
    }

    @Override
    ConfigRepository repository() {
        return repository;
    }

    @Override
    void storeRaw(String document) throws Exception {
        Files.writeString(file, document, StandardCharsets.UTF_8);
    }

    @Override
    String expectedSourceName() {
        return "file";
    }

    @Test
    void aFileOfExactlyTheLimitIsReadAndOneByteMoreIsRefused() throws Exception {
        String document = withPadding(0);
        String atTheLimit = withPadding(MAX_VALUE_BYTES - document.getBytes(StandardCharsets.UTF_8).length);
        storeRaw(atTheLimit);
        assertEquals(MAX_VALUE_BYTES, Files.size(file));

        assertEquals("smtp.example.com", repository.load().orElseThrow().configuration().host());

        storeRaw(atTheLimit + " ");
        InvalidInput refusal = assertThrows(InvalidInput.class, repository::load);
        assertEquals("The SMTP configuration in file " + file + " cannot be read: the value is longer than the limit of "
                + MAX_VALUE_BYTES + " bytes", refusal.getMessage());
    }

    @Test
    void aFileThatDisappearsMeansNothingStored() throws Exception {
        storeRaw(VALID_DOCUMENT);
        Files.delete(file);

        assertEquals(Optional.empty(), repository.load());
    }

    @Test
    void aDirectoryInPlaceOfTheFileMeansTheBackendIsUnavailable() throws Exception {
        Files.createDirectory(file);

        BackendUnavailable error = assertThrows(BackendUnavailable.class, repository::load);

        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
    }

    @Test
    void aNamedPipeInPlaceOfTheFileIsRefusedUnopened() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", file.toString()).start().waitFor());

        BackendUnavailable error = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(BackendUnavailable.class, repository::load), "opening a named pipe waits for a writer");

        assertTrue(error.getMessage().endsWith("is not a regular file"), error.getMessage());
    }

    /**
     * A save that can write part of the document only (here the process's file size limit, as a full
     * disk or a quota would) fails, and leaves the file as it was. Run in a JVM of its own, under
     * {@code ulimit -f}.
     */
    @Test
    void aSaveThatCanWriteOnlyPartOfTheDocumentFailsAndLeavesTheFileAsItWas() throws Exception {
        storeRaw(VALID_DOCUMENT);
        Path output = directory.resolve("save.out");
        Process saving = new ProcessBuilder("bash", "-c", "ulimit -f 4 && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), System.getProperty("java.class.path"),
                LargeSave.class.getName(), file.toString()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!saving.waitFor(60, TimeUnit.SECONDS)) {
            saving.destroyForcibly();
            throw new AssertionError("the save did not end within 60 s");
        }
        String said = Files.readString(output);

        // Any line the JVM writes first (JAVA_TOOL_OPTIONS picked up, say) is no matter.
        assertTrue(said.lines().anyMatch(line -> line.startsWith("failed: Cannot write the SMTP configuration")), said);
        assertEquals("smtp.example.com", repository.load().orElseThrow().configuration().host());
    }

    /** Saves a document of 10,000 bytes and more over the file given, and says how that went. */
    public static final class LargeSave {
        public static void main(String[] args) {
            try {
                new FileConfigRepository(Path.of(args[0]), MAX_VALUE_BYTES).save(SmtpConfiguration.of("large.example.com",
                        587, null, null, "noreply@example.com", false),
                        new OpaqueFields(java.util.Map.of("padding", "x".repeat(10_000))), 0);
                System.out.println("saved");
            } catch (RuntimeException failed) {
                System.out.println("failed: " + failed.getMessage());
            }
        }
    }

    @Test
    void aSavedFileIsReadableByItsOwnerOnlyAndLeavesNoTemporaryFile() throws Exception {
        repository.save(SmtpConfiguration.of("smtp.example.com", 587, "ops", SECRET, "noreply@example.com", false), OpaqueFields.NONE, 0);

        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void savingThroughASymbolicLinkReplacesItsTargetAndKeepsTheLink() throws Exception {
        Path targets = Files.createDirectory(directory.resolve("targets"));
        Path target = targets.resolve("real.json");
        Files.writeString(target, VALID_DOCUMENT);
        Files.deleteIfExists(file);
        Files.createSymbolicLink(file, Path.of("targets", "real.json"));

        repository.save(SmtpConfiguration.of("relay.local", 25, null, null, "relay@example.com", false), OpaqueFields.NONE, 0);

        assertTrue(Files.isSymbolicLink(file), "the link was replaced by a file");
        assertEquals("relay.local", new FileConfigRepository(target, MAX_VALUE_BYTES).load().orElseThrow().configuration().host());
        assertEquals("relay.local", repository.load().orElseThrow().configuration().host());
        try (Stream<Path> files = Files.list(targets)) {
            assertEquals(List.of(target), files.toList(), "a temporary file was left beside the target");
        }
    }

    @Test
    void temporaryFilesLeftByASaveThatDidNotFinishAreRemovedOnOpening() throws Exception {
        Path leftover = directory.resolve(".smtp.json8514571256443120394.tmp");
        Files.writeString(leftover, VALID_DOCUMENT);
        Path unrelated = directory.resolve(".smtp.json.notes.tmp");
        Files.writeString(unrelated, "kept");

        new FileConfigRepository(file, MAX_VALUE_BYTES);

        assertTrue(Files.notExists(leftover), "the leftover holding the password is still there");
        assertTrue(Files.exists(unrelated), "a file the service did not write was removed");
    }

    @Test
    void savingCreatesTheDirectory() {
        FileConfigRepository nested = new FileConfigRepository(directory.resolve("new/dir/smtp.json"), MAX_VALUE_BYTES);

        nested.save(SmtpConfiguration.of("smtp.example.com", 587, null, null, "noreply@example.com", false), OpaqueFields.NONE, 0);

        assertEquals("smtp.example.com", nested.load().orElseThrow().configuration().host());
    }

    @Test
    void aFileThatCannotBeWrittenMeansTheBackendIsUnavailable() throws Exception {
        Files.createDirectory(file);
        Files.writeString(file.resolve("occupied"), "x");

        assertThrows(BackendUnavailable.class,
                () -> repository.save(SmtpConfiguration.of("h", 25, null, null, "a@b.c", false), OpaqueFields.NONE, 0));
    }

    @Test
    void filesHaveNoRevisions() throws Exception {
        storeRaw(VALID_DOCUMENT);

        assertEquals(StoredSmtpConfiguration.UNVERSIONED, repository.load().orElseThrow().revision());
    }

    @Test
    void announcesAFileReplacedByRenameAsEditorsSaveIt() throws Exception {
        storeRaw(VALID_DOCUMENT);
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository.watch(announcements::incrementAndGet)) {
            Path saved = directory.resolve(".smtp.json.swp");
            Files.writeString(saved, VALID_DOCUMENT.replace("587", "25"));

            Files.move(saved, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            eventually(() -> announcements.get() > 0, "the replaced file was not announced");
            awaitQuiet(announcements);
            assertEquals(1, announcements.get(), "one save is one announcement");
        }
    }

    @Test
    void otherFilesInTheDirectoryAreNotAnnouncedNorDelayTheFilesOwnChanges() throws Exception {
        storeRaw(VALID_DOCUMENT);
        AtomicInteger announcements = new AtomicInteger();
        AtomicBoolean logging = new AtomicBoolean(true);
        // A busy log written beside the configuration: announcing it would reload on every line,
        // and letting it hold a burst open would keep a change of the configuration waiting.
        Thread log = Thread.ofPlatform().start(() -> {
            try {
                for (int line = 0; logging.get(); line++) {
                    Files.writeString(directory.resolve("service.log"), "line " + line + "\n",
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (ConfigRepository.Subscription ignored = repository.watch(announcements::incrementAndGet)) {
            Thread.sleep(500);
            assertEquals(0, announcements.get(), "a change of another file was announced");

            storeRaw(VALID_DOCUMENT.replace("587", "25"));

            eventually(() -> announcements.get() > 0, "the change of the file itself was not announced");
            awaitQuiet(announcements);
            // Writing in place is two events (truncate, write), which a stalled machine may not
            // merge; the other file, written all along, would have made many more.
            assertTrue(announcements.get() <= 2, announcements.get() + " announcements: another file's changes were announced");
        } finally {
            logging.set(false);
            log.join();
        }
    }

    @Test
    void announcesAMountedFileSwappedAsKubernetesDoes() throws Exception {
        // Kubernetes mounts smtp.json -> ..data/smtp.json and ..data -> a timestamped directory,
        // and updates the file by pointing a new ..data link at a new directory.
        Files.createDirectory(directory.resolve("..2026_11_24_1"));
        Files.writeString(directory.resolve("..2026_11_24_1/smtp.json"), VALID_DOCUMENT);
        Files.createSymbolicLink(directory.resolve("..data"), Path.of("..2026_11_24_1"));
        Files.createSymbolicLink(file, Path.of("..data/smtp.json"));
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository.watch(announcements::incrementAndGet)) {
            Files.createDirectory(directory.resolve("..2026_11_24_2"));
            Files.writeString(directory.resolve("..2026_11_24_2/smtp.json"), VALID_DOCUMENT.replace("587", "25"));
            Files.createSymbolicLink(directory.resolve("..data_tmp"), Path.of("..2026_11_24_2"));

            Files.move(directory.resolve("..data_tmp"), directory.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

            eventually(() -> announcements.get() > 0, "the swapped mount was not announced");
            assertEquals(25, repository.load().orElseThrow().configuration().port());
        }
    }

    @Test
    void aDirectoryCreatedAfterTheWatchStartedIsWatchedOnceItExists() throws Exception {
        Path later = directory.resolve("later");
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = watch(later.resolve("smtp.json"), announcements)) {
            Thread.sleep(300); // past the watch's first look, so that it has to look again
            Files.createDirectory(later);
            Files.writeString(later.resolve("smtp.json"), VALID_DOCUMENT);

            eventually(() -> announcements.get() > 0, "the directory's arrival was not announced");
            assertChangesAreAnnounced(announcements, later.resolve("smtp.json"));
        }
    }

    @Test
    void aLinkIntoAnotherDirectoryIsWatchedAtItsTargetToo() throws Exception {
        Path target = Files.createDirectory(directory.resolve("shared")).resolve("smtp.json");
        Files.writeString(target, VALID_DOCUMENT);
        Path link = Files.createSymbolicLink(Files.createDirectory(directory.resolve("links")).resolve("smtp.json"), target);
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = watch(link, announcements)) {
            assertChangesAreAnnounced(announcements, target);
        }
    }

    /**
     * An edit of the file a link was pointed to after the watch began raises no event where the
     * watch looks (nor would a write by another host on a network file system): the watch's look
     * at the file every second sees it.
     */
    @Test
    void anEditOfTheFileALinkWasPointedToSinceIsAnnounced() throws Exception {
        Path first = Files.createDirectory(directory.resolve("first")).resolve("smtp.json");
        Path second = Files.createDirectory(directory.resolve("second")).resolve("smtp.json");
        Files.writeString(first, VALID_DOCUMENT);
        Files.writeString(second, VALID_DOCUMENT);
        Path links = Files.createDirectory(directory.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve("smtp.json"), first);
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = watch(link, announcements)) {
            Path repointed = Files.createSymbolicLink(links.resolve(".smtp.json.next"), second);
            Files.move(repointed, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            eventually(() -> announcements.get() > 0, "the link's new target was not announced");

            assertChangesAreAnnounced(announcements, second);
        }
    }

    /**
     * A change that raises no event where the watch looks (a write through a hard link in another
     * directory, as a write by another host on a network file system), made right after the watch
     * was started: the watch's first look at the file was taken before it returned, so the change
     * differs from it and is announced. Tried several times, as the watch's thread may be quick.
     */
    @Test
    void aChangeWithoutAnEventRightAfterTheWatchStartsIsAnnounced() throws Exception {
        Path file = directoryOfItsOwn().resolve("smtp.json");
        Path elsewhere = Files.createLink(Files.createDirectories(directory.resolve("elsewhere")).resolve("smtp.json"),
                Files.writeString(file, VALID_DOCUMENT));
        for (int attempt = 0; attempt < 8; attempt++) {
            AtomicInteger announcements = new AtomicInteger();
            try (ConfigRepository.Subscription ignored = watch(file, announcements)) {
                Files.writeString(elsewhere, VALID_DOCUMENT.replace("587", "25".repeat(attempt + 1)));

                eventually(() -> announcements.get() > 0, "the change made as the watch started was missed, at "
                        + "attempt " + attempt);
            }
        }
    }

    @Test
    void closingAWatchWhileItsDirectoryIsMissingEndsIt() throws Exception {
        Set<Thread> others = watchThreads();
        ConfigRepository.Subscription watch = watch(directory.resolve("never").resolve("smtp.json"), new AtomicInteger());
        Thread itsThread = watchThreads().stream().filter(thread -> !others.contains(thread)).findFirst().orElseThrow();

        watch.close();

        itsThread.join(Duration.ofSeconds(15));
        assertFalse(itsThread.isAlive(), "the closed watch goes on looking for its directory");
    }

    /** The threads of the file watches alive now; a watch's thread is started before the watch is returned. */
    private static Set<Thread> watchThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals(DirectoryWatch.THREAD_NAME)).collect(Collectors.toSet());
    }

    @Test
    void aDirectoryRemovedAndCreatedAgainIsWatchedAgain() throws Exception {
        Path own = directoryOfItsOwn();
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = watch(own.resolve("smtp.json"), announcements)) {
            Files.delete(own.resolve("smtp.json"));
            Files.delete(own);
            eventually(() -> announcements.get() > 0, "the removal was not announced");

            Files.createDirectory(own);
            Files.writeString(own.resolve("smtp.json"), VALID_DOCUMENT);

            eventually(() -> announcements.get() > 1, "the directory's return was not announced");
            assertChangesAreAnnounced(announcements, own.resolve("smtp.json"));
        }
    }

    @Test
    void aDirectoryReplacedByRenameIsWatchedAsItIsNow() throws Exception {
        Path own = directoryOfItsOwn();
        Path next = Files.createDirectory(directory.resolve("own.next"));
        Files.writeString(next.resolve("smtp.json"), VALID_DOCUMENT.replace("587", "2525"));
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = watch(own.resolve("smtp.json"), announcements)) {
            Files.move(own, directory.resolve("own.old"), StandardCopyOption.ATOMIC_MOVE);
            Files.move(next, own, StandardCopyOption.ATOMIC_MOVE);

            eventually(() -> announcements.get() > 0, "the replaced directory was not announced");
            assertChangesAreAnnounced(announcements, own.resolve("smtp.json"));
        }
    }

    /** A directory of its own holding a valid configuration, for the tests that remove or replace it. */
    private Path directoryOfItsOwn() throws Exception {
        Path own = Files.createDirectory(directory.resolve("own"));
        Files.writeString(own.resolve("smtp.json"), VALID_DOCUMENT);
        return own;
    }

    private static ConfigRepository.Subscription watch(Path file, AtomicInteger announcements) {
        return new FileConfigRepository(file, MAX_VALUE_BYTES).watch(announcements::incrementAndGet);
    }

    /** Waits until the watch is quiet, then checks that a change of {@code watched} is announced. */
    private static void assertChangesAreAnnounced(AtomicInteger announcements, Path watched) throws Exception {
        awaitQuiet(announcements);
        int before = announcements.get();
        Files.writeString(watched, VALID_DOCUMENT.replace("587", "25"));
        eventually(() -> announcements.get() > before, "a change after the directory came back was not announced");
    }

    @Test
    void theLocationIsTheAbsolutePath() {
        assertEquals("file " + file.toAbsolutePath(), repository.location());
    }

    @Test
    void readsAFileWithAByteOrderMarkAndWindowsLineEnds() throws Exception {
        Files.write(file, ("\uFEFF" + VALID_DOCUMENT.replace("\n", "\r\n")).getBytes(StandardCharsets.UTF_8));

        assertEquals("smtp.example.com", repository.load().orElseThrow().configuration().host());
    }
}
