package archfixtures.applicationuseshelidon.domain;

/** Keeps the rules; here so that the fixture has more than one layer. */
public record Value(String text) {}
