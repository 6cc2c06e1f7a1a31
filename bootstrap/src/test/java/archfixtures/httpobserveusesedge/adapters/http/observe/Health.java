package archfixtures.httpobserveusesedge.adapters.http.observe;

import archfixtures.httpobserveusesedge.adapters.http.edge.Guard;

/** Breaks the rules on purpose: health that depends on a route guard. */
public class Health {
    public boolean ready() {
        return new Guard().open();
    }
}
