// The saga console's entry: defines <saga-console> (index.html holds one), which does the rest.
import './components/saga-console';
