using System;
using System.IO;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>
    /// What the tests call on a network declared from its attribute text (contract v2: any layer, any graph). Test sources
    /// declare each network as implementing this, so the generated public members satisfy it directly.
    /// </summary>
    public interface IGraphNetwork
    {
        ReadOnlySpan<float> Parameters { get; }

        void SetParameters(ReadOnlySpan<float> values);

        void Forward(ReadOnlySpan<float> input, Span<float> output);

        void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs);

        void LoadSafetensors(Stream stream);

        void SaveSafetensors(Stream stream);
    }
}
