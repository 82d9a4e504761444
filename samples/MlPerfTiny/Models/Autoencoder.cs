using CnnGen;

namespace MlPerfTiny;

/// <summary>
/// MLPerf Tiny's anomaly-detection model: the deep autoencoder on 640 inputs (5 frames of 128 log-mel features). Ten
/// fully-connected layers 640-128-128-128-128-8-128-128-128-128-640, each but the last followed by batch norm (folded
/// into it) and ReLU. A plain vector model: the input is a 640x1x1 volume, each layer's output a 1x1xN one.
/// </summary>
[Input(640, 1, 1)]
[FullyConnected(128, Key = "fc.0")] [BatchNorm(Key = "bn.0")] [Relu]
[FullyConnected(128, Key = "fc.1")] [BatchNorm(Key = "bn.1")] [Relu]
[FullyConnected(128, Key = "fc.2")] [BatchNorm(Key = "bn.2")] [Relu]
[FullyConnected(128, Key = "fc.3")] [BatchNorm(Key = "bn.3")] [Relu]
[FullyConnected(8, Key = "fc.4")] [BatchNorm(Key = "bn.4")] [Relu]      // the bottleneck
[FullyConnected(128, Key = "fc.5")] [BatchNorm(Key = "bn.5")] [Relu]
[FullyConnected(128, Key = "fc.6")] [BatchNorm(Key = "bn.6")] [Relu]
[FullyConnected(128, Key = "fc.7")] [BatchNorm(Key = "bn.7")] [Relu]
[FullyConnected(128, Key = "fc.8")] [BatchNorm(Key = "bn.8")] [Relu]
[FullyConnected(640, Key = "fc.9")]
public partial class Autoencoder { }
