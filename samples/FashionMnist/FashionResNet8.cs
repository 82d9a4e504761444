using CnnGen;

namespace FashionMnist;

/// <summary>
/// The ResNet-8-style network tools/train_fashion_mnist.py trains in PyTorch (`resnet8`), declared for CnnGen with
/// PyTorch's tensor names as keys, so its state_dict loads unchanged. MLPerf Tiny's ResNet-8 shape on 28x28x1: a 3x3
/// conv of 16, three stacks of two 3x3 convs (16, 32 and 64 filters; stacks 2 and 3 start at stride 2 with a 1x1 stride-2
/// projection shortcut), batch norm after every conv (folded into it), ReLU, global average pool, fully-connected 10.
/// Stride 2 on 28 and 14 gives 14.5 and 7.5 positions: PyTorch floors, and so does this network (Rounding on Input).
/// </summary>
[Input(28, 28, 1, Rounding = OutputRounding.Floor)]
[Conv(16, 3, Padding = 1, Bias = false, Key = "conv1")] [BatchNorm(Key = "bn1")] [Relu(Name = "Stem")]                     // 28x28x16

[Conv(16, 3, Padding = 1, Bias = false, Key = "layer1.conv1")] [BatchNorm(Key = "layer1.bn1")] [Relu]
[Conv(16, 3, Padding = 1, Bias = false, Key = "layer1.conv2")] [BatchNorm(Key = "layer1.bn2")] [Add("Stem")] [Relu(Name = "Stack1")]

[Conv(32, 3, Stride = 2, Padding = 1, Bias = false, Key = "layer2.conv1")] [BatchNorm(Key = "layer2.bn1")] [Relu]       // 14x14x32
[Conv(32, 3, Padding = 1, Bias = false, Key = "layer2.conv2")] [BatchNorm(Key = "layer2.bn2", Name = "Main2")]
[Conv(32, 1, Stride = 2, Bias = false, From = "Stack1", Key = "layer2.shortcut.0")] [BatchNorm(Key = "layer2.shortcut.1")] [Add("Main2")] [Relu(Name = "Stack2")]

[Conv(64, 3, Stride = 2, Padding = 1, Bias = false, Key = "layer3.conv1")] [BatchNorm(Key = "layer3.bn1")] [Relu]       // 7x7x64
[Conv(64, 3, Padding = 1, Bias = false, Key = "layer3.conv2")] [BatchNorm(Key = "layer3.bn2", Name = "Main3")]
[Conv(64, 1, Stride = 2, Bias = false, From = "Stack2", Key = "layer3.shortcut.0")] [BatchNorm(Key = "layer3.shortcut.1")] [Add("Main3")] [Relu]

[GlobalAvgPool] [FullyConnected(10, Key = "fc")]
public partial class FashionResNet8
{
}
