"""What every service of the template shares: settings loading, the REST API's error shape,
tenancy and the resolver with its handlers. Shipped as each service's CommonLayer."""
