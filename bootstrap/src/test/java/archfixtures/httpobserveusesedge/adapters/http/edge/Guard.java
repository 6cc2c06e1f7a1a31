package archfixtures.httpobserveusesedge.adapters.http.edge;

/** A guard, keeping the rules itself. */
public class Guard {
    public boolean open() {
        return true;
    }
}
