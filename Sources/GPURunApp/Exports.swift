// The tool sees every library through the app layer.
@_exported import Compute
@_exported import Dynamics
@_exported import InformationBottleneck
@_exported import Learning
