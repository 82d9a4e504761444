using System;

namespace FashionMnist;

/// <summary>What the sample calls on either network.</summary>
public interface INetwork
{
    void Forward(ReadOnlySpan<float> input, Span<float> output);

    void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs);
}

public partial class FashionLeNet : INetwork { }

public partial class FashionResNet8 : INetwork { }
