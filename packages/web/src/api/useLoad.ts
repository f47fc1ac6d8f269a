import { App } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { errorTitle } from './forms.ts';

/** Loads data on mount and on reload(); a failure is shown with its title and leaves the last data in place. */
export function useLoad<T>(load: () => Promise<T>, initial: T) {
  const { message } = App.useApp();
  const [data, setData] = useState<T>(initial);
  const [loading, setLoading] = useState(true);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await load());
    } catch (error) {
      message.error(errorTitle(error));
    } finally {
      setLoading(false);
    }
  }, [load, message]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, loading, reload };
}
