package archfixtures.portscoupled.application.port.out;

/** An outbound port, keeping the rules itself. */
public interface ConfigSource {
    String read();
}
