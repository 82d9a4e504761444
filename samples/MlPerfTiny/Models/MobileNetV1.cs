using CnnGen;

namespace MlPerfTiny;

/// <summary>
/// MLPerf Tiny's visual-wake-words model: MobileNetV1 at width 0.25 on 96x96x3. A 3x3 stride-2 conv of 8, then 13
/// depthwise-separable blocks (depthwise 3x3, stride 2 with Keras' 'same' padding at blocks 1, 3, 5 and 11 counting from
/// 0; pointwise 1x1), batch norm folded into every conv and ReLU after it, an average pool over the 3x3 map,
/// fully-connected 2, softmax.
/// </summary>
[Input(96, 96, 3)]
[Conv(8, 3, Stride = 2, PaddingMode = PaddingMode.Same, Key = "conv1")] [BatchNorm(Key = "bn1")] [Relu]                                         // 48x48x8
[Conv(8, 3, Padding = 1, Groups = 8, Key = "blocks.0.depthwise")] [BatchNorm(Key = "blocks.0.bn1")] [Relu]                                      // 48x48x8
[Conv(16, 1, Key = "blocks.0.pointwise")] [BatchNorm(Key = "blocks.0.bn2")] [Relu]                                                              // 48x48x16
[Conv(16, 3, Stride = 2, PaddingMode = PaddingMode.Same, Groups = 16, Key = "blocks.1.depthwise")] [BatchNorm(Key = "blocks.1.bn1")] [Relu]     // 24x24x16
[Conv(32, 1, Key = "blocks.1.pointwise")] [BatchNorm(Key = "blocks.1.bn2")] [Relu]                                                              // 24x24x32
[Conv(32, 3, Padding = 1, Groups = 32, Key = "blocks.2.depthwise")] [BatchNorm(Key = "blocks.2.bn1")] [Relu]                                    // 24x24x32
[Conv(32, 1, Key = "blocks.2.pointwise")] [BatchNorm(Key = "blocks.2.bn2")] [Relu]                                                              // 24x24x32
[Conv(32, 3, Stride = 2, PaddingMode = PaddingMode.Same, Groups = 32, Key = "blocks.3.depthwise")] [BatchNorm(Key = "blocks.3.bn1")] [Relu]     // 12x12x32
[Conv(64, 1, Key = "blocks.3.pointwise")] [BatchNorm(Key = "blocks.3.bn2")] [Relu]                                                              // 12x12x64
[Conv(64, 3, Padding = 1, Groups = 64, Key = "blocks.4.depthwise")] [BatchNorm(Key = "blocks.4.bn1")] [Relu]                                    // 12x12x64
[Conv(64, 1, Key = "blocks.4.pointwise")] [BatchNorm(Key = "blocks.4.bn2")] [Relu]                                                              // 12x12x64
[Conv(64, 3, Stride = 2, PaddingMode = PaddingMode.Same, Groups = 64, Key = "blocks.5.depthwise")] [BatchNorm(Key = "blocks.5.bn1")] [Relu]     // 6x6x64
[Conv(128, 1, Key = "blocks.5.pointwise")] [BatchNorm(Key = "blocks.5.bn2")] [Relu]                                                             // 6x6x128
[Conv(128, 3, Padding = 1, Groups = 128, Key = "blocks.6.depthwise")] [BatchNorm(Key = "blocks.6.bn1")] [Relu]                                  // 6x6x128
[Conv(128, 1, Key = "blocks.6.pointwise")] [BatchNorm(Key = "blocks.6.bn2")] [Relu]                                                             // 6x6x128
[Conv(128, 3, Padding = 1, Groups = 128, Key = "blocks.7.depthwise")] [BatchNorm(Key = "blocks.7.bn1")] [Relu]                                  // 6x6x128
[Conv(128, 1, Key = "blocks.7.pointwise")] [BatchNorm(Key = "blocks.7.bn2")] [Relu]                                                             // 6x6x128
[Conv(128, 3, Padding = 1, Groups = 128, Key = "blocks.8.depthwise")] [BatchNorm(Key = "blocks.8.bn1")] [Relu]                                  // 6x6x128
[Conv(128, 1, Key = "blocks.8.pointwise")] [BatchNorm(Key = "blocks.8.bn2")] [Relu]                                                             // 6x6x128
[Conv(128, 3, Padding = 1, Groups = 128, Key = "blocks.9.depthwise")] [BatchNorm(Key = "blocks.9.bn1")] [Relu]                                  // 6x6x128
[Conv(128, 1, Key = "blocks.9.pointwise")] [BatchNorm(Key = "blocks.9.bn2")] [Relu]                                                             // 6x6x128
[Conv(128, 3, Padding = 1, Groups = 128, Key = "blocks.10.depthwise")] [BatchNorm(Key = "blocks.10.bn1")] [Relu]                                // 6x6x128
[Conv(128, 1, Key = "blocks.10.pointwise")] [BatchNorm(Key = "blocks.10.bn2")] [Relu]                                                           // 6x6x128
[Conv(128, 3, Stride = 2, PaddingMode = PaddingMode.Same, Groups = 128, Key = "blocks.11.depthwise")] [BatchNorm(Key = "blocks.11.bn1")] [Relu] // 3x3x128
[Conv(256, 1, Key = "blocks.11.pointwise")] [BatchNorm(Key = "blocks.11.bn2")] [Relu]                                                           // 3x3x256
[Conv(256, 3, Padding = 1, Groups = 256, Key = "blocks.12.depthwise")] [BatchNorm(Key = "blocks.12.bn1")] [Relu]                                // 3x3x256
[Conv(256, 1, Key = "blocks.12.pointwise")] [BatchNorm(Key = "blocks.12.bn2")] [Relu]                                                           // 3x3x256
[AvgPool(3)]                                                                                                                                    // 1x1x256
[FullyConnected(2, Key = "fc")] [Softmax]
public partial class MobileNetV1 { }
