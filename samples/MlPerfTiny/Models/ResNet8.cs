using CnnGen;

namespace MlPerfTiny;

/// <summary>
/// MLPerf Tiny's image-classification model (CIFAR-10, 32x32x3): ResNet-8. A 3x3 conv of 16, then three residual stacks
/// of two 3x3 convs with 16, 32 and 64 filters; stacks 2 and 3 start at stride 2 with Keras' 'same' padding and add a
/// 1x1 stride-2 projection of their input. Batch norm after every 3x3 conv (folded into it), global average pool,
/// fully-connected 10, softmax. Keys are the tensor names of tools/make_mlperf_tiny.py's PyTorch module.
/// </summary>
[Input(32, 32, 3)]
[Conv(16, 3, Padding = 1, Key = "conv1")] [BatchNorm(Key = "bn1")] [Relu(Name = "Stem")]                               // 32x32x16

[Conv(16, 3, Padding = 1, Key = "stack1.conv1")] [BatchNorm(Key = "stack1.bn1")] [Relu]
[Conv(16, 3, Padding = 1, Key = "stack1.conv2")] [BatchNorm(Key = "stack1.bn2")] [Add("Stem")] [Relu(Name = "Stack1")] // 32x32x16

[Conv(32, 3, Stride = 2, PaddingMode = PaddingMode.Same, Key = "stack2.conv1")] [BatchNorm(Key = "stack2.bn1")] [Relu]  // 16x16x32
[Conv(32, 3, Padding = 1, Key = "stack2.conv2")] [BatchNorm(Key = "stack2.bn2", Name = "Main2")]
[Conv(32, 1, Stride = 2, PaddingMode = PaddingMode.Same, From = "Stack1", Key = "stack2.shortcut")] [Add("Main2")] [Relu(Name = "Stack2")]// 16x16x32

[Conv(64, 3, Stride = 2, PaddingMode = PaddingMode.Same, Key = "stack3.conv1")] [BatchNorm(Key = "stack3.bn1")] [Relu]  // 8x8x64
[Conv(64, 3, Padding = 1, Key = "stack3.conv2")] [BatchNorm(Key = "stack3.bn2", Name = "Main3")]
[Conv(64, 1, Stride = 2, PaddingMode = PaddingMode.Same, From = "Stack2", Key = "stack3.shortcut")] [Add("Main3")] [Relu]// 8x8x64

[GlobalAvgPool] [FullyConnected(10, Key = "fc")] [Softmax]
public partial class ResNet8 { }
