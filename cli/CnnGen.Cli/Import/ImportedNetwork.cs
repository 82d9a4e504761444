using System.Collections.Generic;

namespace CnnGen.Cli.Import
{
    /// <summary>What an import found: the network's layers in declaration order, or the problems that stop it.</summary>
    internal sealed class ImportedNetwork
    {
        public required string Source { get; init; }

        public required string Description { get; init; }

        /// <summary>The input volume: width, height, depth (a vector model of N features is N × 1 × 1).</summary>
        public required (int Width, int Height, int Depth) Input { get; init; }

        public required List<ImportedLayer> Layers { get; init; }

        /// <summary>The ONNX graph's input and output names and the model's ONNX opset, for the check.</summary>
        public required string InputName { get; init; }

        public required long[] InputShape { get; init; }

        public required string OutputName { get; init; }
    }

    /// <summary>One CnnGen layer attribute and what it came from.</summary>
    internal sealed class ImportedLayer
    {
        /// <summary>The attribute's name without "Attribute": Conv, MaxPool, Relu, ….</summary>
        public required string Kind { get; init; }

        /// <summary>Positional arguments, as C# text.</summary>
        public List<string> Arguments { get; } = new();

        /// <summary>Named properties (Stride = 2), as C# text, in the order they are written.</summary>
        public List<(string Name, string Value)> Properties { get; } = new();

        /// <summary>The layer whose output this layer reads as its current volume (−1: the network's input).</summary>
        public required int Input { get; set; }

        /// <summary>Add's second operand, Concat's operands: the layers whose outputs they read (−1: the input).</summary>
        public List<int> Operands { get; } = new();

        /// <summary>The ONNX nodes this layer came from (names, or op#index for unnamed ones).</summary>
        public List<string> Nodes { get; } = new();

        /// <summary>Parameter tensors in the contract's order (weight, bias / weight, bias, running_mean, running_var).</summary>
        public List<(string Suffix, int[] Shape, float[] Data)> Tensors { get; } = new();

        /// <summary>The state_dict prefix the ONNX initializer names share (layer1.0.conv1), when they share a valid one.</summary>
        public string? KeyFromInitializers { get; set; }

        /// <summary>Output volume (C, H, W) of this layer.</summary>
        public (int C, int H, int W) Shape { get; set; }

        public bool IsBatchNorm => Kind == "BatchNorm";

        /// <summary>Layers that have a default name (Conv1, Pool1, …) and a member; activations, Softmax, Add and Concat have none.</summary>
        public string? DefaultPrefix => Kind switch
        {
            "Conv" => "Conv",
            "MaxPool" => "Pool",
            "AvgPool" => "AvgPool",
            "FullyConnected" => "Fc",
            "BatchNorm" => "Bn",
            "GlobalAvgPool" => "GlobalAvgPool",
            "GlobalMaxPool" => "GlobalMaxPool",
            _ => null,
        };

        /// <summary>Whether the layer joins the line of the layer before it when it reads that layer's output.</summary>
        public bool JoinsLine => Kind is "Relu" or "Relu6" or "LeakyRelu" or "Sigmoid" or "Tanh" or "HardSwish" or "Silu" or "Softmax" or "BatchNorm" or "Add";
    }
}
