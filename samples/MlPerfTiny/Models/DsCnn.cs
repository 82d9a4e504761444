using CnnGen;

namespace MlPerfTiny;

/// <summary>
/// MLPerf Tiny's keyword-spotting model: DS-CNN small on 49 frames of 10 MFCC features (10 wide, 49 high, 1 deep).
/// A 10x4 conv of 64 at stride 2 with Keras' 'same' padding (4 rows before, 5 after; 1 column each side), then four
/// depthwise-separable blocks (depthwise 3x3 and pointwise 1x1, each with batch norm folded in and ReLU), an average
/// pool over the whole 5x25 map, fully-connected 12, softmax.
/// </summary>
[Input(10, 49, 1)]
[Conv(64, 10, SizeX = 4, Stride = 2, PaddingMode = PaddingMode.Same, Key = "conv1")] [BatchNorm(Key = "bn1")] [Relu] // 5x25x64
[Conv(64, 3, Padding = 1, Groups = 64, Key = "block1.depthwise")] [BatchNorm(Key = "block1.bn1")] [Relu]
[Conv(64, 1, Key = "block1.pointwise")] [BatchNorm(Key = "block1.bn2")] [Relu]
[Conv(64, 3, Padding = 1, Groups = 64, Key = "block2.depthwise")] [BatchNorm(Key = "block2.bn1")] [Relu]
[Conv(64, 1, Key = "block2.pointwise")] [BatchNorm(Key = "block2.bn2")] [Relu]
[Conv(64, 3, Padding = 1, Groups = 64, Key = "block3.depthwise")] [BatchNorm(Key = "block3.bn1")] [Relu]
[Conv(64, 1, Key = "block3.pointwise")] [BatchNorm(Key = "block3.bn2")] [Relu]
[Conv(64, 3, Padding = 1, Groups = 64, Key = "block4.depthwise")] [BatchNorm(Key = "block4.bn1")] [Relu]
[Conv(64, 1, Key = "block4.pointwise")] [BatchNorm(Key = "block4.bn2")] [Relu]
[AvgPool(SizeX = 5, SizeY = 25)]                                                                                     // 1x1x64
[FullyConnected(12, Key = "fc")] [Softmax]
public partial class DsCnn { }
