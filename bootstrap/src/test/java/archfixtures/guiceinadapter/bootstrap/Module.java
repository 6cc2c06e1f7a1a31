package archfixtures.guiceinadapter.bootstrap;

import com.google.inject.AbstractModule;

/** Guice in bootstrap: allowed. */
public class Module extends AbstractModule {}
