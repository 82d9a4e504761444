using CnnGen;

namespace FashionMnist;

/// <summary>
/// The network tools/train_fashion_mnist.py trains in PyTorch, declared for CnnGen: the same layers in
/// the same order, so PyTorch's state_dict (conv1.weight, conv1.bias, …, fc3.bias) loads unchanged.
/// </summary>
[Input(28, 28, 1)]
[Conv(6, 5, Padding = 2)] [Relu] [MaxPool(2)]     // 28x28x6 -> 14x14x6
[Conv(16, 5)] [Relu] [MaxPool(2)]                 // 10x10x16 -> 5x5x16
[FullyConnected(120)] [Relu]
[FullyConnected(84)] [Relu]
[FullyConnected(10)]
public partial class FashionLeNet
{
    public static readonly string[] ClassNames =
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };
}
