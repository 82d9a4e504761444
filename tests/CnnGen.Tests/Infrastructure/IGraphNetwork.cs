using System.IO;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>
    /// What the tests call on a network declared from its attribute text (contract v2: any layer, any graph): the members
    /// every network has, and its weights files. Test sources declare each network as implementing this, so the generated
    /// public members satisfy it directly.
    /// </summary>
    public interface IGraphNetwork : INetwork
    {
        void LoadSafetensors(Stream stream);

        void SaveSafetensors(Stream stream);
    }
}
