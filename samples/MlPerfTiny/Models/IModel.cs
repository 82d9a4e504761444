using System;

namespace MlPerfTiny;

/// <summary>What the sample, the tests and the benchmarks do with each model, whichever it is.</summary>
public interface IModel
{
    void Forward(ReadOnlySpan<float> input, Span<float> output);

    void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs);

    void LoadSafetensors(string path);

    void SaveSafetensors(string path);
}

public partial class ResNet8 : IModel { }

public partial class DsCnn : IModel { }

public partial class MobileNetV1 : IModel { }

public partial class Autoencoder : IModel { }

/// <summary>One model of the sample: its name in data/ (NAME.safetensors, NAME.onnx, NAME.outputs.bin), sizes and inputs.</summary>
public sealed record ModelInfo(string Name, string Task, Func<IModel> Create, int InputLength, int OutputLength, int ParameterCount, uint Seed, int[] OnnxInputShape)
{
    public static readonly ModelInfo[] All =
    {
        new("resnet8", "image classification", () => new ResNet8(), ResNet8.InputLength, ResNet8.OutputLength, ResNet8.ParameterCount, TestInputs.ResNet8Seed, new[] { 1, 3, 32, 32 }),
        new("ds_cnn", "keyword spotting", () => new DsCnn(), DsCnn.InputLength, DsCnn.OutputLength, DsCnn.ParameterCount, TestInputs.DsCnnSeed, new[] { 1, 1, 49, 10 }),
        new("mobilenet_v1", "visual wake words", () => new MobileNetV1(), MobileNetV1.InputLength, MobileNetV1.OutputLength, MobileNetV1.ParameterCount, TestInputs.MobileNetV1Seed, new[] { 1, 3, 96, 96 }),
        new("autoencoder", "anomaly detection", () => new Autoencoder(), Autoencoder.InputLength, Autoencoder.OutputLength, Autoencoder.ParameterCount, TestInputs.AutoencoderSeed, new[] { 1, 640 }),
    };

    /// <summary>The model with PyTorch's weights from data/NAME.safetensors.</summary>
    public IModel Load(string dataDirectory)
    {
        IModel model = Create();
        model.LoadSafetensors(System.IO.Path.Combine(dataDirectory, Name + ".safetensors"));
        return model;
    }

    /// <summary>PyTorch's outputs for the <see cref="TestInputs.Samples"/> test inputs, one after another.</summary>
    public float[] ReadTorchOutputs(string dataDirectory)
    {
        byte[] bytes = System.IO.File.ReadAllBytes(System.IO.Path.Combine(dataDirectory, Name + ".outputs.bin"));
        var outputs = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < outputs.Length; i++)
        {
            outputs[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        return outputs;
    }
}
