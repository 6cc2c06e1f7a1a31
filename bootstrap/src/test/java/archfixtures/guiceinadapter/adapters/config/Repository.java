package archfixtures.guiceinadapter.adapters.config;

import com.google.inject.Inject;

/** Breaks the rules on purpose: an adapter wired by Guice annotations instead of a plain constructor. */
public class Repository {
    @Inject
    public Repository() {}
}
