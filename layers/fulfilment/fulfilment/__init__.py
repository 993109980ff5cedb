"""The fulfilment service: a shipment for each placed order of the orders service, cancelled with
its order, dispatched through its API."""
