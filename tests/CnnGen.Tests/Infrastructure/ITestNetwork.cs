using System;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>The members every generated network has (contract section 2), as the tests call them.</summary>
    public interface INetwork
    {
        ReadOnlySpan<float> Parameters { get; }

        void SetParameters(ReadOnlySpan<float> values);

        void Forward(ReadOnlySpan<float> input, Span<float> output);

        void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs);
    }

    /// <summary>
    /// What the tests call on a compiled network. Test sources declare each network as implementing this,
    /// so the generated public members satisfy it directly and the tests call them with spans.
    /// </summary>
    public interface ITestNetwork : INetwork
    {
        /// <summary>Calls the static method of the <paramref name="index"/>-th layer that has one (ReLUs have none).</summary>
        void RunLayer(int index, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);
    }
}
