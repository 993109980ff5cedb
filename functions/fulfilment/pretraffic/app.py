"""CodeDeploy's pre-traffic hook of the fulfilment stack: each new version is called before any traffic
shifts to it (splitstack.pretraffic, splitstack.deploy_hook)."""

from splitstack.pretraffic import lambda_handler

__all__ = ["lambda_handler"]
